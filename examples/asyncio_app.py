"""redlet inside an asyncio application: no thread, no binary.

    python examples/asyncio_app.py
"""
import asyncio

import redis.asyncio as aioredis

import redlet


async def worker(r, results):
    while True:
        _, job = await r.brpop("jobs")
        if job == b"stop":
            return
        results.append(job.decode().upper())


async def main():
    server = await redlet.start_server(port=0)       # on this event loop
    try:
        r = aioredis.Redis(port=server.port)
        results = []
        task = asyncio.create_task(worker(r, results))
        consumer = aioredis.Redis(port=server.port)
        for job in ("alpha", "beta", "gamma"):
            await consumer.lpush("jobs", job)
        await consumer.lpush("jobs", "stop")
        await task
        print("processed:", " ".join(results))
        await r.aclose()
        await consumer.aclose()
    finally:
        await server.close()


if __name__ == "__main__":
    asyncio.run(main())
