import { join } from 'node:path';
import { createIncidentStore, migrate, openDatabase } from '../../src/store/index.ts';

/**
 * One side of a race: for each round, waits (spinning, for sub-millisecond alignment with the other
 * process) until the round's start time, then opens a fresh store file and applies migrations as
 * `inferwatch start` does. Prints one line per round: `ok` or the error. Arguments: dir, rounds,
 * start time (epoch ms), interval (ms).
 */
const [dir = '.', rounds = '1', startAt = '0', intervalMs = '100'] = process.argv.slice(2);
for (let round = 0; round < Number(rounds); round += 1) {
  const at = Number(startAt) + round * Number(intervalMs);
  while (Date.now() < at) {
    // spin
  }
  try {
    const db = openDatabase(join(dir, `round-${round}.db`));
    createIncidentStore(db);
    migrate(db, {
      'race/1': 'CREATE TABLE race_one (id INTEGER PRIMARY KEY, note TEXT)',
      'race/2': 'CREATE TABLE race_two (id INTEGER PRIMARY KEY); CREATE INDEX race_two_id ON race_two (id)',
    });
    db.prepare('INSERT INTO race_one (note) VALUES (?)').run(String(process.pid));
    db.close();
    console.log(`round ${round}: ok`);
  } catch (error) {
    console.log(`round ${round}: ${(error as Error).message}`);
  }
}
