/** The signed-in user and their bearer token, kept in sessionStorage (cleared when the tab closes). */
export interface SessionUser {
  id: string;
  name: string;
  role: string;
  divisionCode: string | null;
  unitId: string | null;
}
export interface Session {
  token: string;
  user: SessionUser;
}

const KEY = 'petition-console.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}
export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}
export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
export function currentToken(): string | null {
  return loadSession()?.token ?? null;
}
