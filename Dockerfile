# The bot in one container (docs/operations.md): build with `docker build -t jobcentre-bot .`,
# run with a volume on /data and the settings in an env file. One container per database.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/bot.db

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir /data && chown bot:bot /data

# dialogs/ and locales/ are read from beside the bot/ package: the checkout is installed
# editable, as the README says, and stays in /app.
WORKDIR /app
COPY . .
RUN pip install -e .

USER bot
VOLUME ["/data"]
# Webhook mode only (WEBHOOK_URL set): the port behind the TLS-terminating proxy.
EXPOSE 8080
HEALTHCHECK --interval=1m --timeout=30s --start-period=2m --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot"]
