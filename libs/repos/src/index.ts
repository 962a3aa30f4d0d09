// The repos table and its DTOs; the Nest module is repos.module.ts.
export * from './repos.repository.js';
export * from './repo.dto.js';
export { REPOS_CHANGED_CHANNEL } from './repo-change-listener.js';
