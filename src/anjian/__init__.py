"""anjian (安监): work-safety supervision platform."""
