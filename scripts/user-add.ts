// `npm run user:add -- --id <login> --name <名字> --role <role> (--division <code> | --unit <id>)`: creates a user, e.g.
// the first admin of a new installation. The password is read from standard input (prompted without echo on a
// terminal; `printf '%s' "$PW" | npm run user:add -- …` in a script), never from the command line. Audited as
// `user.created` by `cli:<os user>`. Same database variables as the service (on PGlite: with the service stopped).
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { loadConfigOrExit } from '../config';
import { openReadModel } from '../services/bootstrap';
import { createUser, userInput } from '../services/users';
import { ServiceError } from '../services/errors';

const { values } = parseArgs({
  options: { id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, division: { type: 'string' }, unit: { type: 'string' } },
});

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      process.stdout.write(q);
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
      rl.question('', (a) => {
        process.stdout.write('\n');
        resolve(a);
      });
    });
  const first = await ask('Password (at least 12 characters): ');
  const again = await ask('Again: ');
  rl.close();
  if (first !== again) {
    console.error('the passwords differ');
    process.exit(2);
  }
  return first;
}

const parsed = userInput.safeParse({ id: values.id, name: values.name, role: values.role, divisionCode: values.division, unitId: values.unit, password: await readPassword() });
if (!parsed.success) {
  console.error(`invalid user:\n${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const config = loadConfigOrExit();
const database = await openReadModel(config);
try {
  const user = await createUser(database.db, parsed.data, `cli:${userInfo().username}`);
  console.log(`created ${user.id} (${user.role}, ${user.divisionCode ?? user.unitId}); sign in with POST /auth/login`);
} catch (err) {
  if (!(err instanceof ServiceError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
} finally {
  await database.close();
}
