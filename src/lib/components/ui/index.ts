export { default as Alert } from './Alert.svelte';
export { default as Choices } from './Choices.svelte';
export { default as ErrorSummary } from './ErrorSummary.svelte';
export { default as Field } from './Field.svelte';
export { default as Form } from './Form.svelte';
export { default as List } from './List.svelte';
export { default as PageTitle } from './PageTitle.svelte';
export { default as Table, type Column } from './Table.svelte';
export { formState, shareForm, type FormState } from './form';
