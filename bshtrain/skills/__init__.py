"""One module set per graded exercise: bshtrain.skills.<id>.spec defines SPEC."""
