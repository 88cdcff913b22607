"""The supervision loop after the briefing: reporting deadlines in working days and 催报 (reminders)."""
