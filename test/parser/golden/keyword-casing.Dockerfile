from alpine AS base
Run echo mixed
workdir /app
COPY . .
