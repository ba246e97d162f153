import type { Connection } from '@temporalio/client';
import { searchAttributes } from '../domain/search-attributes';

/** temporal.api.enums.v1.IndexedValueType */
const INDEXED: Record<string, number> = { Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7 };
const ALREADY_EXISTS = 6;

/**
 * Registers the service's search attributes through the operator API (what the dev server's --search-attribute
 * flags and the compose setup job do elsewhere); an attribute already there is left as it is.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  for (const a of searchAttributes) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { [a.name]: INDEXED[a.type]! } });
    } catch (err) {
      if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
    }
  }
}
