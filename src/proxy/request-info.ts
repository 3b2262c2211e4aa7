/** What a Kubernetes API request does, for the audit log (like the apiserver's RequestInfo). */
export interface RequestInfo {
  readonly verb: string;
  readonly apiGroup?: string;
  readonly apiVersion?: string;
  readonly namespace?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly name?: string;
}

/** Subresources of a namespace itself, as opposed to the namespaced resources under it. */
const NAMESPACE_SUBRESOURCES: ReadonlySet<string> = new Set(['status', 'finalize']);

/** The apiserver's reading of `watch`: its first value, true unless "0" or "false". */
function asksToWatch(query: string): boolean {
  const watch = new URLSearchParams(query).get('watch');
  return watch !== null && watch !== '0' && watch.toLowerCase() !== 'false';
}

/**
 * Parses /api/v1/<resource>... and /apis/<group>/<version>/<resource>... paths as the
 * apiserver's RequestInfoFactory does; anything else (discovery too) is a non-resource URL.
 */
export function requestInfo(method: string, path: string): RequestInfo {
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  let rest: string[];
  let apiGroup = '';
  let apiVersion: string | undefined;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiVersion = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1] as string;
    apiVersion = parts[2];
    rest = parts.slice(3);
  } else {
    return { verb: method.toLowerCase() };
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    namespace = rest[1];
    // /namespaces/<name>, /namespaces/<name>/status and .../finalize are the namespace itself.
    if (rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2] as string)) rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      // A named get stays a get whatever its query says; only a collection is watched by query.
      verb = watchPrefix ? 'watch' : name ? 'get' : asksToWatch(query) ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = method.toLowerCase();
  }
  return { verb, apiGroup, apiVersion, namespace, resource, name, subresource };
}
