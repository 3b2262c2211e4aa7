import type {
  KubernetesObject,
  V1APIResourceList,
  V1Namespace,
  V1Node,
  V1Pod,
  V1ResourceRule,
  V1SelfSubjectAccessReview,
  V1SelfSubjectRulesReview,
  V1Status,
} from '@kubernetes/client-node';

/**
 * A model type of `@kubernetes/client-node` as it arrives as JSON. The library's types
 * describe objects after its own deserializer, which turns timestamps into Dates; the
 * gateway reads and forwards the JSON itself, where they are strings. (The few fields the
 * library renames because they are reserved words, such as ListMeta's `_continue`, are
 * not used through these types: KubeList spells its metadata out.)
 */
export type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? readonly Wire<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Wire<T[K]> }
      : T;

/** Any Kubernetes object, with the parts every kind has. */
export type KubeObject = Wire<KubernetesObject> & {
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: Readonly<Record<string, unknown>>;
};

export type Pod = Wire<V1Pod>;
export type Node = Wire<V1Node>;
export type Namespace = Wire<V1Namespace>;
export type Status = Wire<V1Status>;
export type ApiResourceList = Wire<V1APIResourceList>;
export type SelfSubjectAccessReview = Wire<V1SelfSubjectAccessReview>;
export type SelfSubjectRulesReview = Wire<V1SelfSubjectRulesReview>;
export type ResourceRule = Wire<V1ResourceRule>;

/** One page of a list: its items and where the next page (or a watch) starts. */
export interface KubeList<T = KubeObject> {
  readonly metadata?: {
    readonly resourceVersion?: string;
    readonly continue?: string;
    readonly remainingItemCount?: number;
  };
  readonly items?: readonly T[];
}
