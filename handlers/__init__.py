"""The product: framework-neutral use cases. Never imports aiogram or telegram."""
