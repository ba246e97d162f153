// The input of a synthetic letter to 莲都区, as services/intake.ts builds it after its database writes: what the
// benches start directly, without the API.
import type { AppConfig } from '../config';
import type { PetitionInput } from '../domain/matter';
import { competentLevelFor } from '../domain/triggers';
import { settingsFrom } from '../services/intake';

export function syntheticLetter(config: AppConfig, caseNo: string, now: string, userId = 'registrar-city'): PetitionInput {
  return {
    caseNo,
    channel: 'letter',
    source: 'direct',
    divisionCode: '331102',
    personsCount: 1,
    receivedAt: now,
    registeredAt: now,
    registeredBy: { id: userId, role: 'registrar' },
    accusedUnitIds: [],
    // 331102 莲都区 is a county-level division, as the API's intake looks up.
    competentLevel: competentLevelFor('county'),
    settings: settingsFrom(config),
  };
}
