/**
 * The account's public face: activation, sign-in with its second step, password reset and the
 * second factor's settings, each in a service of its own; their SQL lives in the repositories.
 */
export { authErrors, type AuthErrorCode } from './auth.errors';
export {
	activateAccount,
	normaliseActivationCode,
	type ActivationInput
} from './activation.service';
export {
	PENDING_LOGIN_MS,
	completeEnrolment,
	completeSecondFactor,
	endAllSessions,
	enrolmentSecret,
	findPendingLogin,
	login,
	logout,
	principalOf,
	type LoginResult,
	type PasswordVerifier
} from './login.service';
export { isResetTokenUsable, requestPasswordReset, resetPassword } from './password-reset.service';
export {
	disableTotp,
	enableTotp,
	renewRecoveryCodes,
	secondFactorStatus
} from './second-factor.service';
