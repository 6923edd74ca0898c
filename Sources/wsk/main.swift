print("wsk")
