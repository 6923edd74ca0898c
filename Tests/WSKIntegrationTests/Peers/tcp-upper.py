# A TCP service for the proxy tests: answers every chunk upper-cased. Prints its port.
import socket
import sys
import threading

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen()
print(server.getsockname()[1], flush=True)


def serve(connection):
    while True:
        data = connection.recv(65536)
        if not data:
            break
        connection.sendall(data.upper())
    connection.close()


while True:
    connection, _ = server.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
