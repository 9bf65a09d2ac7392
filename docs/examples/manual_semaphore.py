"""The manual's Semaphore example: at most two workers are inside at any moment."""

import curio

inside = 0
most_inside = 0


async def worker(sema: curio.Semaphore, n: int) -> None:
    global inside, most_inside
    async with sema:
        inside += 1
        most_inside = max(most_inside, inside)
        print("Working", n)
        await curio.sleep(0.02)
        inside -= 1


async def main() -> None:
    sema = curio.Semaphore(2)  # Allow two tasks at a time

    # Launch a bunch of tasks
    tasks = [await curio.spawn(worker(sema, n)) for n in range(10)]
    for task in tasks:
        await task.join()
    print("At most", most_inside, "workers at once")


if __name__ == "__main__":
    curio.run(main)
