export interface IdGenerator {
  /** A ULID: unique and sortable by creation time. */
  next(): string;
}
