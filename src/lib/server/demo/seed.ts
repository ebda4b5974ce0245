import type { Db } from '$lib/server/db';
import { ingestEvents } from '$lib/server/events/event.service';
import { refusedEvents } from '$lib/server/events/event.errors';
import { MAX_EVENTS_PER_BATCH, type EventError } from '$lib/server/events/event.validation';
import { simulate, type DemoEvent } from '$lib/server/demo/simulator';
import { hasAnyCase } from './seed.repository';

export {
	DEMO_ASYLUM_CASE,
	DEMO_SPONSORED_CASE,
	DEMO_TECH_KVK,
	SPONSORS
} from '$lib/server/demo/simulator';

export interface SeedOptions {
	/** 1.0 = a full IND year of inflow per year of the three-year history. */
	scale: number;
	now?: Date;
	seed?: number;
	log?: (line: string) => void;
}

export interface SeedSummary {
	cases: number;
	events: number;
	seconds: number;
}

export async function isDatabaseEmpty(db: Db): Promise<boolean> {
	return !(await hasAnyCase(db));
}

const ERRORS_SHOWN = 5;

function describeRejection(batch: DemoEvent[], errors: EventError[]): string {
	const lines = errors.slice(0, ERRORS_SHOWN).map((e) => {
		const event = batch[e.index];
		return `  event ${e.index} (${event?.type} ${event?.case} at ${event?.occurredAt}): [${e.field}] ${e.message}`;
	});
	if (errors.length > ERRORS_SHOWN) lines.push(`  … and ${errors.length - ERRORS_SHOWN} more`);
	return lines.join('\n');
}

/**
 * Generates the demo history and feeds it through the event service, as the case system would:
 * in batches of the API's maximum size, in the order the events happened.
 */
export async function seedDemo(db: Db, options: SeedOptions): Promise<SeedSummary> {
	const log = options.log ?? (() => {});
	const began = performance.now();
	const simulation = simulate({ scale: options.scale, now: options.now, seed: options.seed });
	const { events } = simulation;
	log(
		`Simulated ${simulation.cases.length} cases with ${events.length} events in ${((performance.now() - began) / 1000).toFixed(1)} s.`
	);
	const batches = Math.ceil(events.length / MAX_EVENTS_PER_BATCH);
	let reported = 0;
	for (let i = 0; i < batches; i++) {
		const batch = events.slice(i * MAX_EVENTS_PER_BATCH, (i + 1) * MAX_EVENTS_PER_BATCH);
		await ingestEvents(db, { events: batch }).catch((e: unknown) => {
			const refused = refusedEvents(e);
			if (!refused) throw e;
			throw new Error(
				`Demo seed: the event service rejected batch ${i + 1} of ${batches}:\n${describeRejection(batch, refused)}`
			);
		});
		const done = Math.floor(((i + 1) / batches) * 10);
		if (done > reported) {
			reported = done;
			log(`  ${done * 10}% (${Math.min((i + 1) * MAX_EVENTS_PER_BATCH, events.length)} events)`);
		}
	}
	return {
		cases: simulation.cases.length,
		events: events.length,
		seconds: (performance.now() - began) / 1000
	};
}
