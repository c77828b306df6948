"""Events: PLOVER triggers, their arguments read from the parse, casualties, one report per event."""
