"""Images the program builds and pushes itself (`service_image`), and the pure decisions
behind them (`plan`): where each is pushed and how its build stays reproducible."""
