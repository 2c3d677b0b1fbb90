"""The rule tests, one file per rule family (nianbao.check.rules)."""
