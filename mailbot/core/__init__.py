"""The ground floor: frozen values, working days, schedules, the clock and limits.

Every other package may depend on core; core imports nothing else of mailbot."""
