// Node flags the API and the worker run with (npm start, the benches, the Dockerfile and docker-compose.yml through
// NODE_OPTIONS: keep those two in step). The old space is capped: without a cap V8 lets it grow with load well past
// the live heap before it collects (the worker's live heap reaches ~90 MB while it projects pages of 65,535-character
// comments, so 128 MB and not less). The young generation is kept small: with the default 16 MB semi-spaces it holds
// up to ~48 MB of mostly garbage (request bodies, JSON of comment pages) between scavenges.
export const APP_NODE_FLAGS: string[] = ['--max-old-space-size=128', '--max-semi-space-size=2'];
