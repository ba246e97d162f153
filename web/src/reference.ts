import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './api/client';

/** Divisions and units (rarely change: cached for the session). */
export function useReference() {
  return useQuery({
    queryKey: ['reference'],
    queryFn: () => unwrap(api.GET('/api/reference')),
    staleTime: Infinity,
  });
}

export function useNames() {
  const { data } = useReference();
  const divisions = new Map(data?.divisions.map((d) => [d.code, d.name]) ?? []);
  const units = new Map(data?.units.map((u) => [u.id, u.name]) ?? []);
  return {
    division: (code: string | null | undefined) => (code ? (divisions.get(code) ?? code) : '—'),
    unit: (id: string | null | undefined) => (id ? (units.get(id) ?? id) : '—'),
  };
}
