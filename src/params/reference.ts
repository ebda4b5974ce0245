import type { ParamMatcher } from '@sveltejs/kit';

export const match: ParamMatcher = (param) => /^IND-\d{4}-\d{6,8}$/.test(param);
