// Writes docs/STATE_MACHINE.md from the transition table (domain/machine.ts): `npm run docs:machine`.
import { writeFileSync } from 'node:fs';
import { renderStateMachine } from '../domain/machine-doc';

writeFileSync(new URL('../docs/STATE_MACHINE.md', import.meta.url), renderStateMachine());
console.log('docs/STATE_MACHINE.md written from domain/machine.ts');
