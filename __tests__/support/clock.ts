/** The tests' one clock: configuration is judged at this time, never at the wall clock's. */
export const NOW = new Date("2026-11-25T12:00:00Z");
