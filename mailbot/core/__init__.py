"""The ground floor: frozen values, working days, schedules, the clock, limits, thread pools.

Every other package may depend on core; core imports nothing else of mailbot."""
