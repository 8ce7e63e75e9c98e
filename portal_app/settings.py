"""The portal's settings, read once from the environment (`PORTAL_*`, `STRIPE_*`) and `.env`."""

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET_KEY = "dev-only-change-me"  # noqa: S105  (a default the banner warns about)


class Settings(BaseSettings):
    """Everything an operator can configure; defaults run the embedded sandbox on SQLite."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'data' / 'portal.db'}",
        validation_alias="PORTAL_DATABASE_URL",
    )
    # The embedded sandbox is a separate Stripe with its own database, never the portal's;
    # unset, it is `sandbox.db` in the data directory (see `sandbox_database`).
    sandbox_database_url: str | None = Field(
        default=None, validation_alias="PORTAL_SANDBOX_DATABASE_URL"
    )
    redis_url: str | None = Field(default=None, validation_alias="PORTAL_REDIS_URL")
    public_url: str = Field(default="http://localhost:3000", validation_alias="PORTAL_PUBLIC_URL")
    internal_url: str = Field(
        default="http://127.0.0.1:3000", validation_alias="PORTAL_INTERNAL_URL"
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SECRET_KEY), validation_alias="PORTAL_SECRET_KEY"
    )
    cors_origins: list[str] = Field(default_factory=list, validation_alias="PORTAL_CORS_ORIGINS")
    data_dir: Path = Field(default=PROJECT_ROOT / "data", validation_alias="PORTAL_DATA_DIR")

    stripe_secret_key: SecretStr | None = Field(default=None, validation_alias="STRIPE_SECRET_KEY")
    stripe_publishable_key: str | None = Field(
        default=None, validation_alias="STRIPE_PUBLISHABLE_KEY"
    )
    stripe_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias="STRIPE_WEBHOOK_SECRET"
    )

    smtp_host: str | None = Field(default=None, validation_alias="PORTAL_SMTP_HOST")
    smtp_port: int = Field(default=587, validation_alias="PORTAL_SMTP_PORT")
    smtp_username: str | None = Field(default=None, validation_alias="PORTAL_SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(default=None, validation_alias="PORTAL_SMTP_PASSWORD")
    smtp_tls: bool = Field(default=True, validation_alias="PORTAL_SMTP_TLS")

    @property
    def sandbox_mode(self) -> bool:
        """True when no Stripe key is configured: the gateway talks to the embedded sandbox."""
        return self.stripe_secret_key is None

    @property
    def sandbox_database(self) -> str:
        """The sandbox's own database URL: configured, or `sandbox.db` in the data directory."""
        return self.sandbox_database_url or f"sqlite:///{self.data_dir / 'sandbox.db'}"

    @property
    def sandbox_url(self) -> str:
        """Where the embedded sandbox answers, as Stripe's API base (the SDK adds `/v1/...`)."""
        return f"{self.internal_url.rstrip('/')}/sandbox"

    @property
    def sandbox_public_url(self) -> str:
        """The sandbox as the customer's browser reaches it (for the sandbox card form)."""
        return f"{self.public_url.rstrip('/')}/sandbox"

    @property
    def sandbox_api_key(self) -> str:
        """The test secret key the gateway presents to the sandbox, derived from the secret key."""
        return f"sk_test_{self._derive('sandbox-api-key')}"

    @property
    def webhook_secret(self) -> str | None:
        """The signing secret for incoming webhooks: configured, or derived in sandbox mode."""
        if self.stripe_webhook_secret is not None:
            return self.stripe_webhook_secret.get_secret_value()
        if self.sandbox_mode:
            return f"whsec_{self._derive('sandbox-webhook')}"
        return None

    def _derive(self, purpose: str) -> str:
        key = self.secret_key.get_secret_value().encode()
        return hmac.new(key, purpose.encode(), hashlib.sha256).hexdigest()[:32]

    @property
    def outbox_mode(self) -> bool:
        """True when no SMTP host is configured: email goes to the database outbox."""
        return self.smtp_host is None

    @property
    def allowed_origins(self) -> list[str]:
        """Origins allowed to call the backend: the public URL plus any configured extras."""
        return [self.public_url.rstrip("/"), *self.cors_origins]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache after changing the environment)."""
    return Settings()
