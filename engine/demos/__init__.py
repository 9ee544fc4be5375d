"""Demo modules. Every ``Demo`` object defined at module level here is registered."""
