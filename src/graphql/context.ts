/** What every resolver receives: built once per request (or subscription) by the gateway. */
export interface GraphQLContext {
  /** Time the request arrived, for consistent timestamps within one answer. */
  readonly receivedAt: Date;
}
