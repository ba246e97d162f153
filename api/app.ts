import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import auth from './plugins/auth';
import hardening from './plugins/hardening';
import audit from './plugins/audit';
import { errorHandler } from './errors';
import declaredErrors, { MAX_PARAM_LENGTH } from './responses';
import type { ApiDeps } from './context';
import healthRoutes from './routes/health';
import authRoutes from './routes/auth';
import petitionRoutes from './routes/petitions';
import commandRoutes from './routes/commands';
import taskRoutes from './routes/tasks';
import noticeRoutes from './routes/notices';
import adminRoutes from './routes/admin';
import visitRoutes from './routes/visits';
import calendarRoutes from './routes/calendar';
import deadlineRoutes from './routes/deadlines';
import publicRoutes from './routes/public';
import escalationRoutes from './routes/escalations';
import referenceRoutes from './routes/reference';
import repeatRoutes from './routes/repeats';
import measureRoutes from './routes/measures';
import backlogRoutes from './routes/backlog';
import leaderRoutes from './routes/leaders';
import digestRoutes from './routes/digests';
import workflowRoutes from './routes/workflows';
import codecRoutes from './routes/codec';
import availableCommandRoutes from './routes/available-commands';
import userRoutes from './routes/users';
import auditRoutes from './routes/audit';
import oidcRoutes from './routes/oidc';

/** The Fastify app, without listening: server.ts runs it, tests use inject(). */
export async function buildApp(deps: ApiDeps, opts: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.config.LOG_LEVEL, redact: ['req.headers.authorization'] },
    // Path parameters up to this length reach their schema (400 with the field); longer ones get 414.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    ...opts,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Lishui petition (信访) case service', version: '0.1.0', description: 'Every petition matter runs as a Temporal workflow; lists and timelines come from the read model.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    // Named schemas (the shared error body) as components, referred to by every route.
    transformObject: jsonSchemaTransformObject,
  });
  // Every documented route declares the errors its shape implies (api/responses.ts); routes add their own.
  await app.register(declaredErrors);
  await app.register(hardening, { deps });
  await app.register(auth, { deps });
  await app.register(audit, { deps });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Outside development the API's description is for signed-in users only (a bearer token, as on /api).
    uiHooks: deps.config.development ? {} : { onRequest: async (request) => app.authenticate(request) },
  });

  await app.register(healthRoutes, { deps });
  await app.register(authRoutes, { deps });
  await app.register(oidcRoutes, { deps });
  await app.register(petitionRoutes, { deps, prefix: '/api' });
  await app.register(commandRoutes, { deps, prefix: '/api' });
  await app.register(taskRoutes, { deps, prefix: '/api' });
  await app.register(noticeRoutes, { deps, prefix: '/api' });
  await app.register(adminRoutes, { deps, prefix: '/api' });
  await app.register(visitRoutes, { deps, prefix: '/api' });
  await app.register(calendarRoutes, { deps, prefix: '/api' });
  await app.register(deadlineRoutes, { deps, prefix: '/api' });
  await app.register(publicRoutes, { deps });
  await app.register(escalationRoutes, { deps, prefix: '/api' });
  await app.register(availableCommandRoutes, { deps, prefix: '/api' });
  await app.register(referenceRoutes, { deps, prefix: '/api' });
  await app.register(repeatRoutes, { deps, prefix: '/api' });
  await app.register(measureRoutes, { deps, prefix: '/api' });
  await app.register(backlogRoutes, { deps, prefix: '/api' });
  await app.register(leaderRoutes, { deps, prefix: '/api' });
  await app.register(digestRoutes, { deps, prefix: '/api' });
  await app.register(workflowRoutes, { deps, prefix: '/api' });
  await app.register(codecRoutes, { deps });
  await app.register(userRoutes, { deps, prefix: '/api' });
  await app.register(auditRoutes, { deps, prefix: '/api' });
  return app;
}
