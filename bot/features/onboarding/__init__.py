"""First contact: welcome, consent per purpose, a short skippable profile, and /menu."""
