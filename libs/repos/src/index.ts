// The repos table and the names it allows; the DTOs (Swagger) are repo.dto.ts, the Nest module repos.module.ts.
export * from './repos.repository.js';
export * from './repo-names.js';
export { REPOS_CHANGED_CHANNEL } from './repo-change-listener.js';
