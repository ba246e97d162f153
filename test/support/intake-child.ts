// A child process for test/integration/intake-crash.test.ts: registers one petition through the intake service
// against the given PostgreSQL and Temporal; INTAKE_CRASH_AT makes it kill itself (SIGKILL) at that step.
import { eq } from 'drizzle-orm';
import { loadConfig } from '../../config';
import { openDatabase } from '../../db/client';
import { users } from '../../db/schema';
import { intakeSchema } from '../../domain/petition';
import { temporalClient } from '../../services/bootstrap';
import { registerPetition } from '../../services/intake';

const config = loadConfig(process.env);
const database = await openDatabase({ url: config.DATABASE_URL });
const temporal = temporalClient(config, config.TEMPORAL_ADDRESS!);
const [principal] = await database.db.select().from(users).where(eq(users.id, 'registrar-city'));
const intake = intakeSchema.parse(JSON.parse(process.env.INTAKE_BODY!));
const result = await registerPetition({ db: database.db, temporal, config }, principal!, intake, process.env.INTAKE_KEY);
console.log(JSON.stringify(result));
await temporal.connection.close();
await database.close();
