"""Pure rules of the HIPS escalation procedure and Portsmouth's Re-think: no I/O, no clock."""
