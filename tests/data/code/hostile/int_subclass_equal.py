# expect: wrong_answer
# kind: function
class Liar(int):
    def __eq__(self, other):
        return True
def add(a, b):
    return Liar(0)
