// Form fields derived from the API's own zod schemas (domain/*): which fields a form has, their kind, whether they
// are required, the options of an enum and the bounds of a number come from the schema the API validates with; a
// form adds only the Chinese labels (and help) of the fields it shows.
import type { z } from 'zod';
import { isoDate } from '../../domain/petition';

export type FieldKind = 'text' | 'textarea' | 'date' | 'number' | 'select' | 'unit' | 'list' | 'boolean';
export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  options?: Record<string, string>;
  help?: string;
  initial?: unknown;
  min?: number;
  max?: number;
  /** A date field that may lie in the future (a target date); others may not be after today. */
  future?: boolean;
}
/** What a form says about a field: its label, or the label with options (labels of an enum's codes), help and an initial value. */
export type FieldHint = string | (Partial<Omit<FieldSpec, 'name'>> & { label: string });

/** A body a form sends, with the schema the API checks it against. */
export interface FormSpec {
  label: string;
  schema: z.ZodType;
  fields: FieldSpec[];
  /** Fixed values sent with the form (e.g. which meeting). */
  fixed?: Record<string, unknown>;
  danger?: boolean;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, string>;
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional/default/nullable wrappers. */
function unwrap(s: z.ZodType): z.ZodType {
  let t = s;
  for (let i = 0; i < 10; i++) {
    const d = defOf(t);
    if (!d.innerType || !['optional', 'default', 'prefault', 'nullable'].includes(d.type)) return t;
    t = d.innerType;
  }
  return t;
}

function kindOf(name: string, s: z.ZodType): Pick<FieldSpec, 'kind' | 'options' | 'min' | 'max'> {
  const t = unwrap(s);
  const d = defOf(t);
  if (t === isoDate) return { kind: 'date' };
  switch (d.type) {
    case 'enum':
      return { kind: 'select', options: Object.fromEntries(Object.values(d.entries ?? {}).map((v) => [v, v])) };
    case 'number': {
      const n = t as unknown as { minValue: number | null; maxValue: number | null };
      return { kind: 'number', min: n.minValue ?? undefined, max: n.maxValue ?? undefined };
    }
    case 'boolean':
      return { kind: 'boolean' };
    case 'array':
      return { kind: 'list' };
    case 'string': {
      if (name === 'unitId') return { kind: 'unit' };
      const max = (t as unknown as { maxLength: number | null }).maxLength;
      return { kind: max !== null && max > 300 ? 'textarea' : 'text', max: max ?? undefined };
    }
    default:
      return { kind: 'text' };
  }
}

/**
 * The fields of a form for an object schema: the schema's keys that the form labels, in the schema's order. An
 * enum's options keep the schema's codes, labelled by the hint's options where it gives them.
 */
export function fieldsFrom(schema: z.ZodType, hints: Record<string, FieldHint>): FieldSpec[] {
  const shape = (unwrap(schema) as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) throw new Error('fieldsFrom needs an object schema');
  const fields: FieldSpec[] = [];
  for (const [name, field] of Object.entries(shape)) {
    const raw = hints[name];
    if (raw === undefined) continue;
    const hint = typeof raw === 'string' ? { label: raw } : raw;
    const derived = kindOf(name, field);
    const options = derived.options ? Object.fromEntries(Object.keys(derived.options).map((code) => [code, hint.options?.[code] ?? code])) : undefined;
    // Required when the schema refuses a missing value (no optional, no default).
    const required = !field.safeParse(undefined).success;
    fields.push({ name, required, ...derived, ...hint, ...(options ? { options } : {}), kind: hint.kind ?? derived.kind });
  }
  return fields;
}
