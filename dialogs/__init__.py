"""botbuilder ComponentDialogs: concern intake and the Re-think path (see the intake issue)."""
