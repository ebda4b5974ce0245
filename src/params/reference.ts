import type { ParamMatcher } from '@sveltejs/kit';
import { isCaseReference } from '$lib/reference';

export const match: ParamMatcher = isCaseReference;
