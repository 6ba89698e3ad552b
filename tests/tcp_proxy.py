#!/usr/bin/env python3
"""A TCP proxy on loopback that can cut a process off from a server: for the replica
tests, a replica's connection to PostgreSQL goes through it.

  tcp_proxy.py LISTEN_PORT TARGET_PORT

SIGUSR1 partitions (every connection is dropped, new ones are refused); SIGUSR2 heals."""
import asyncio
import signal
import sys


async def main(listen_port, target_port):
    conns = set()
    state = {"server": None}

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_writer.close()
            return
        tasks = [asyncio.ensure_future(pipe(client_reader, server_writer)),
                 asyncio.ensure_future(pipe(server_reader, client_writer))]
        conns.add((client_writer, server_writer, *tasks))
        await asyncio.gather(*tasks, return_exceptions=True)
        conns.discard((client_writer, server_writer, *tasks))

    async def listen():
        state["server"] = await asyncio.start_server(handle, "127.0.0.1", listen_port,
                                                     reuse_address=True)

    def partition():
        if state["server"]:
            state["server"].close()
            state["server"] = None
        for client, server, *tasks in list(conns):
            for t in tasks:
                t.cancel()
            client.transport.abort()
            server.transport.abort()
        print("partitioned", flush=True)

    def heal():
        asyncio.ensure_future(listen())
        print("healed", flush=True)

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, partition)
    loop.add_signal_handler(signal.SIGUSR2, heal)
    await listen()
    print("listening", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
