export * from './repos.module.js';
export * from './repos.repository.js';
export * from './repo.dto.js';
