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

const WATCH = /(^|&)watch=(1|true)(&|$)/;

/** Parses /api/v1/... and /apis/<group>/<version>/... paths; anything else is a non-resource URL. */
export function requestInfo(method: string, path: string): RequestInfo {
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  let rest: string[];
  let apiGroup = '';
  let apiVersion: string | undefined;
  if (parts[0] === 'api' && parts.length >= 2) {
    apiVersion = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
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
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length === 2) {
    // /namespaces/<name> is the namespace object itself.
    namespace = rest[1];
  }
  const [resource, name, subresource] = rest;
  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = watchPrefix || WATCH.test(query) ? 'watch' : name ? 'get' : 'list';
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
