import type { DocumentNode, GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';

/** A document that parsed and passed validation, or the errors that refuse it whatever the variables. */
export type Checked = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };
/** With the text as the cache keeps it: one string for every operation that sent it. */
export type CheckedDocument = Checked & { text: string };

/** What the cache holds and has done (tests and the fan-out bench read it). */
export interface DocumentCacheStats {
  size: number;
  /** Texts parsed and validated so far: a hit costs none. */
  parses: number;
  maxEntries: number;
  maxTextLength: number;
}

/**
 * Parse + validate results by query text, for graphql-ws. A subscription keeps its document for
 * its whole life (graphql-ws and graphql-js hold it; the feed executes it), ~22 KB with its
 * token locations for a dashboard's query: identical texts (every dashboard sends the same one)
 * share one instead of holding one each. Bounded by entries and by the texts' total length (a
 * document is ~70 bytes of heap per character of text); what depends on the variables (their
 * coercion, the operation's price) is not cached.
 */
export class DocumentCache {
  private readonly cache: LRUCache<string, CheckedDocument>;
  private parses = 0;

  constructor(
    private readonly check: (text: string) => Checked,
    private readonly bounds = { maxEntries: 500, maxTextLength: 256 * 1024 },
  ) {
    this.cache = new LRUCache({ max: bounds.maxEntries, maxSize: bounds.maxTextLength, sizeCalculation: (_value, text) => Math.max(1, text.length) });
  }

  get(text: string): CheckedDocument {
    let checked = this.cache.get(text);
    if (checked === undefined) {
      checked = { ...this.check(text), text };
      this.parses += 1;
      this.cache.set(text, checked); // a text longer than the whole bound is not kept
    }
    return checked;
  }

  stats(): DocumentCacheStats {
    return { size: this.cache.size, parses: this.parses, ...this.bounds };
  }
}
