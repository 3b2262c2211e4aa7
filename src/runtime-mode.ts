// Imported first by the gateway's command: libraries read NODE_ENV when they load. graphql-js
// in development mode checks every `instanceof` across realms (8 % of the gateway's CPU on a
// page of 1,000 pods), so the gateway runs in production mode unless told otherwise.
// Tests start the gateway in-process and keep the development checks.
process.env.NODE_ENV ??= 'production';
