# syntax=docker/dockerfile:1
# The ticket bridge: one image for both apps.
#   api (default):  node dist/apps/api/src/main.js
#   worker:         node dist/apps/worker/src/main.js

# --- build: install every dependency, compile TypeScript to dist/ and the web app to apps/web/dist/ ---
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# --- runtime: production dependencies and the compiled output only ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# both apps' node flags, as `npm start` gives them (scripts/app-node-flags.ts)
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=2"
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/apps/web/dist ./apps/web/dist
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
