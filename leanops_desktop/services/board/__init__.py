"""The production board for the shop-floor TV: what it reads and how it judges each station."""
