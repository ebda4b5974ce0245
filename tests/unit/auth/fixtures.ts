import { randomUUID } from 'node:crypto';
import {
	completeEnrolment,
	enrolmentSecret,
	findPendingLogin,
	login,
	type LoginResult
} from '$lib/server/auth/login.service';
import { stepAt, totpCode } from '$lib/server/auth/totp';
import { createStaffAccount } from '$lib/server/admin/admin.service';
import type { Db } from '$lib/server/db';

export const PASSWORD = 'correct horse battery staple';
export const admin = { userId: null, role: 'admin', ip: '10.0.0.1' };

export function pendingOf(result: LoginResult) {
	if (result.kind !== 'second_factor') throw new Error('expected a second step');
	return result;
}

export async function newStaff(
	db: Db,
	roles: ('counter' | 'triage' | 'planner' | 'admin')[] = ['planner']
) {
	const email = `staff-${randomUUID()}@example.test`;
	const id = await createStaffAccount(db, admin, {
		email,
		displayName: 'Staff Member',
		password: PASSWORD,
		roles,
		desk: roles.includes('counter') ? 'Zwolle' : null
	});
	return { id, email };
}

/**
 * Signs a planner in for the first time: password, then enrolment with the offered key. Each suite
 * signs in from its own address, so that their throttles stay apart.
 */
export async function enrolled(db: Db, now = new Date(), ip = '10.5.0.1') {
	const staff = await newStaff(db);
	const first = pendingOf(await login(db, staff.email, PASSWORD, ip, null, now));
	const pending = (await findPendingLogin(db, first.pendingToken, now))!;
	const secret = await enrolmentSecret(db, pending);
	const session = await completeEnrolment(
		db,
		first.pendingToken,
		totpCode(secret, stepAt(now)),
		ip,
		now
	);
	return { ...staff, secret, session, recoveryCodes: session.recoveryCodes };
}
