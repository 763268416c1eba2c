export { createOpenApiDocument, type OpenApiOptions } from './document.ts';
export { pathsByComponent } from './paths.ts';
