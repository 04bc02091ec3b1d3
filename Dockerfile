# The bot's container image: Python 3.11, the pinned requirements, a non-root user.
# Build: docker build -t resolve-together-bot .
# Run:   docker run -p 3978:3978 --env-file bot.env resolve-together-bot
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY app.py settings.py alembic.ini ./
COPY domain ./domain
COPY storage ./storage
COPY cards ./cards
COPY dialogs ./dialogs
COPY bot ./bot
COPY teams ./teams
COPY services ./services

RUN useradd --system --uid 10001 --home-dir /app bot \
    && mkdir -p /app/data && chown bot /app/data
USER bot

EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=4).status == 200 else 1)"
CMD ["python", "app.py"]
