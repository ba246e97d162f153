/**
 * Checking a supervisor's visibility query before it reaches Temporal, so the jurisdiction clause appended to it
 * cannot be escaped: only known attributes, literals, comparison and logical operators, and balanced parentheses.
 */
import { queryableAttributes } from './search-attributes';

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'STARTS_WITH', 'IS', 'NULL', 'TRUE', 'FALSE']);

export function visibilityQueryProblem(q: string): string | null {
  let depth = 0;
  let i = 0;
  while (i < q.length) {
    const ch = q[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"') {
      const end = q.indexOf(ch, i + 1);
      if (end < 0) return 'an unterminated string';
      if (q.slice(i + 1, end).includes('\\')) return 'backslashes are not allowed in strings';
      i = end + 1;
    } else if (ch === '(') {
      depth++;
      i++;
    } else if (ch === ')') {
      depth--;
      if (depth < 0) return 'a closing parenthesis without its opening one';
      i++;
    } else if (ch === ',') {
      i++;
    } else if (/[=!<>]/.test(ch)) {
      const m = q.slice(i).match(/^(=|!=|<=|>=|<|>)/);
      if (!m) return `unexpected "${ch}"`;
      i += m[0].length;
    } else if (/[0-9-]/.test(ch)) {
      const m = q.slice(i).match(/^-?\d+(\.\d+)?/);
      if (!m) return `unexpected "${ch}"`;
      i += m[0].length;
    } else if (/[A-Za-z_`]/.test(ch)) {
      const m = q.slice(i).match(/^`?([A-Za-z_][A-Za-z0-9_]*)`?/)!;
      const word = m[1]!;
      if (!KEYWORDS.has(word.toUpperCase()) && !queryableAttributes.has(word)) return `unknown attribute ${word}`;
      i += m[0].length;
    } else return `unexpected "${ch}"`;
  }
  if (depth !== 0) return 'unbalanced parentheses';
  return null;
}

/** Quotes a value for a visibility query. */
export const quoteValue = (v: string) => `'${v.replace(/'/g, '')}'`;
